import type { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'

/** What the stack's endpoint and auth steps leave in the context (keys as the SDK spells them). */
export interface SigningContext {
  signing_region?: string
  signing_service?: string
  s3ExpressIdentity?: unknown
  /** Smithy's context: the auth scheme the SDK chose, with the identity it signed with. */
  __smithy_context?: { selectedHttpAuthScheme?: { identity?: unknown } }
}

type Middleware = Parameters<S3Client['middlewareStack']['addRelativeTo']>[0]

/**
 * Run `command` through the client's own middleware stack and stop it just before or
 * just after the SDK's signer, sending nothing: `seen` gets the request the stack built
 * (signed when `relation` is `after`) and the signing context. The presigner and the
 * fast PUT both learn the SDK's exact request this way, so theirs can be checked against it.
 */
export async function stopAtSigner(
  client: S3Client,
  command: GetObjectCommand | PutObjectCommand,
  relation: 'before' | 'after',
  seen: (request: unknown, context: SigningContext) => void,
): Promise<void> {
  const stop = (_next: unknown, context: SigningContext) => async (args: { request: unknown }) => {
    seen(args.request, context)
    return { response: {}, output: { $metadata: {} } }
  }
  const stack = client.middlewareStack.clone()
  stack.addRelativeTo(stop as unknown as Middleware, {
    name: `dumplingStop${relation === 'before' ? 'Before' : 'After'}Signer`,
    relation,
    toMiddleware: 'awsAuthMiddleware',
    override: true,
  })
  const run = command.resolveMiddleware as (
    stack: unknown,
    config: unknown,
    options: unknown,
  ) => (args: { input: unknown }) => Promise<unknown>
  await run.call(command, stack, client.config, {})({ input: command.input })
}
