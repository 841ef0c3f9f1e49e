import { isIP, connect as netConnect, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { Http1Response } from './http1-response.js'

/** What a connection tells its poster; each socket's listeners call these, made once for its life. */
export interface ConnectionEvents {
  /** Bytes came. */
  read(c: Connection, chunk: Buffer): void
  /** The socket closed (after its error, if any). */
  closed(c: Connection): void
}

/** One reply to post: its whole request, and whom to tell. */
export class Post {
  retried = false
  constructor(
    readonly origin: Origin,
    readonly request: string,
    readonly deadline: number,
    readonly resolve: () => void,
    readonly reject: (err: Error) => void,
  ) {}
}

/** The connections to one `protocol//host:port`. */
export class Origin {
  /** Idle connections, the most recently used last. */
  readonly idle: Connection[] = []
  /** Posts waiting for a connection, first come first. */
  readonly waiting: Post[] = []
  /** Connections open or opening, idle or busy. */
  open = 0
  constructor(
    readonly key: string,
    readonly host: string,
    readonly port: number,
    readonly tls: boolean,
  ) {}
}

/** One socket, one post at a time; its listeners are made once, for its life. */
export class Connection {
  /** The post whose answer is awaited; null while idle. */
  post: Post | null = null
  /** Had carried a whole answer before the current post. */
  reused = false
  /** Some of the current post's answer was read. */
  answering = false
  idleUntil = 0
  error: (Error & { code?: string }) | null = null
  readonly response = new Http1Response()
  readonly socket: Socket

  constructor(
    events: ConnectionEvents,
    readonly origin: Origin,
    ca: string | Buffer | undefined,
  ) {
    const { host, port } = origin
    this.socket = origin.tls
      ? tlsConnect({
          host,
          port,
          servername: isIP(host) === 0 ? host : undefined,
          ALPNProtocols: ['http/1.1'],
          ca,
        })
      : netConnect({ host, port })
    this.socket.setNoDelay(true)
    this.socket.on('data', (chunk: Buffer) => events.read(this, chunk))
    this.socket.on('error', (err) => {
      this.error ??= err
    })
    this.socket.on('close', () => events.closed(this))
  }
}
