export * from './stack.js';
export * from './state.js';
export * from './events.js';
