import type { TestProjectInlineConfiguration } from 'vitest/config';
export declare function microgatewayProjects(): TestProjectInlineConfiguration[];
export declare function microgatewayReporters(packageDir: string): (string | [string, object])[];
