// The seams between the harness's backends. A suite asks for "a NATS server" or "an Envoy";
// the process backend (local binaries) and the container backend (testcontainers on a Docker
// engine) both return these handles, so the same suite runs on either.

export type Backend = 'process' | 'container';

export interface NatsPermissionRule {
  allow?: string[];
  deny?: string[];
}

export interface NatsUser {
  user: string;
  password: string;
  permissions?: {
    publish?: NatsPermissionRule;
    subscribe?: NatsPermissionRule;
    /** Allow replies to requests this user received (needed for services answering requests). */
    allowResponses?: boolean;
  };
}

export interface NatsServerOptions {
  /** Users of the single JetStream-enabled application account. Empty: one admin user only. */
  users?: NatsUser[];
  /** Name used in logs and the server_name; defaults to a unique one. */
  name?: string;
}

export interface NatsHandle {
  readonly backend: Backend;
  /** nats://host:port, without credentials. */
  readonly url: string;
  /** An identity allowed everything in the application account (for tests and `mgw dev env`). */
  readonly admin: { user: string; password: string };
  /** Stop the server, keeping its JetStream store, then start it again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface EnvoyOptions {
  /** The bootstrap as an object (written as JSON) or as YAML/JSON text. */
  bootstrap: object | string;
  /** Extra arguments, e.g. ['--log-level', 'debug']. */
  args?: string[];
  /** Name used in logs. */
  name?: string;
}

export interface EnvoyHandle {
  readonly backend: Backend;
  /** http://host:port of the admin interface as seen from the test process. */
  readonly adminUrl: string;
  /** Map a port the bootstrap listens on to the address the test process must dial. */
  address(listenerPort: number): { host: string; port: number };
  /** Everything Envoy printed so far. */
  logs(): string;
  stop(): Promise<void>;
}

export interface EnvoyValidation {
  ok: boolean;
  /** Envoy's own output: on failure it names what is wrong. */
  output: string;
}
