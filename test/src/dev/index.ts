export * from './stack.js';
export * from './state.js';
