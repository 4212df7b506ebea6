/** The pure engine's public surface: adapters (service, replay, sim) import from here only. */
export * from './types.js';
export * from './config.js';
export * from './validate.js';
export * from './engine.js';
export * from './reorder.js';
export * from './dedup.js';
export * from './scoring.js';
export * from './lifecycle.js';
export * from './alert.js';
export * from './seller-state.js';
export { SELLER_SIGNALS, SIGNAL_CONFIG_SCHEMAS, RING_MODULE } from './signals/index.js';
export type { RingModule } from './signals/index.js';
