export * from './gateway-parameters.js';
