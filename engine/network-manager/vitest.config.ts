import { defineConfig } from 'vitest/config';
import { microgatewayProjects, microgatewayReporters } from '../../vitest.shared.js';

export default defineConfig({
  test: { projects: microgatewayProjects(), reporters: microgatewayReporters(import.meta.dirname) },
});
