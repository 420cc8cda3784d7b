import { Oopsie } from './oopsie';

// The CDN build's only effect: the global the snippet calls.
(globalThis as { Oopsie?: typeof Oopsie }).Oopsie = Oopsie;
