/** A running throwaway PostgreSQL cluster (see postgres-cluster.js). */
export interface PostgresCluster {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** URL of database `name` (default: postgres), password included, sslmode=disable. */
  url(name?: string): string;
  stop(): void;
}

export function startPostgresCluster(): Promise<PostgresCluster>;
