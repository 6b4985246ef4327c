export type { Decoded, Decoder } from './decoder.js';
