import type { TestProjectInlineConfiguration, TestUserConfig } from 'vitest/config';
export declare function microgatewayProjects(): TestProjectInlineConfiguration[];
export declare function microgatewayReporters(packageDir: string): NonNullable<TestUserConfig['reporters']>;
