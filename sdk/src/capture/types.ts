import type { BufferKind } from '../buffer';

/** Where captures put what they record; returns nothing, costs little. */
export type Recorder = (kind: BufferKind, data: Record<string, unknown>) => void;

/** Undoes an installed capture. */
export type Uninstall = () => void;

export const iso = () => new Date().toISOString();
