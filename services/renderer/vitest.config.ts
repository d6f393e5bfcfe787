import { defineConfig } from 'vitest/config';
import { microgatewayProjects } from '../../vitest.shared.js';

export default defineConfig({ test: { projects: microgatewayProjects() } });
