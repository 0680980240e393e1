// vitest globalSetup: one throwaway PostgreSQL cluster for the whole run, stopped at its end.
// Test files reach it through inject('postgres') and each works in a database of its own.
import type { TestProject } from 'vitest/node';
import { startPostgresCluster } from './postgres-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: { readonly host: string; readonly port: number; readonly user: string; readonly password: string };
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const cluster = await startPostgresCluster();
  project.provide('postgres', { host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password });
  return () => cluster.stop();
}
