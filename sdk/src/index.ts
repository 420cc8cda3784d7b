import { Oopsie } from './oopsie';

export default Oopsie;
export { Oopsie };
/** The RFC's style: `const oopsie = initOopsie({...})`. */
export const initOopsie = Oopsie.init;
export { parseStack } from './stack';
export { detectPlatform, isTauri } from './device';
export type { CaptureOptions, CrashInput, FeedbackInput, OopsieApi } from './oopsie';
export type * from './types';
