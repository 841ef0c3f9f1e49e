/** At most this much of an error answer is read: S3's error documents are a few hundred bytes. */
const maxErrorBytes = 4096

/**
 * S3's error `<Code>` from an error answer's body, reading at most 4 KiB of it (the rest
 * is dropped with the connection); null when there is none.
 */
export async function s3ErrorCode(
  body: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
): Promise<string | null> {
  let text = ''
  for await (const chunk of body) {
    text += typeof chunk === 'string' ? chunk : chunk.toString('latin1')
    if (text.length >= maxErrorBytes) break
  }
  return /<Code>([A-Za-z0-9.]{1,64})<\/Code>/.exec(text.slice(0, maxErrorBytes))?.[1] ?? null
}

/**
 * Codes that mean S3 refuses the form of our request (its signature, a header, the
 * path, the method, where it went): the same form would be refused again, so the fast
 * path turns off and the SDK makes every PUT. AccessDenied is here too: a policy may
 * demand something of the request we do not send, and the SDK's own PUT then reports it.
 * Every other code is a one-off failure that the SDK's PUT of the same object handles:
 * RequestTimeTooSkewed (the SDK learns the skew from it, and our next date uses it),
 * RequestTimeout, ExpiredToken, InvalidAccessKeyId (credentials the SDK refreshes),
 * SlowDown, InternalError, ServiceUnavailable, OperationAborted and the like.
 */
const refusedForm = new Set([
  'AccessDenied',
  'AuthorizationHeaderMalformed',
  'BadDigest',
  'IncompleteSignature',
  'InvalidArgument',
  'InvalidDigest',
  'InvalidEncryptionAlgorithmError',
  'InvalidRequest',
  'InvalidURI',
  'MalformedXML',
  'MethodNotAllowed',
  'MissingContentLength',
  'MissingSecurityHeader',
  'NotImplemented',
  'PermanentRedirect',
  'SignatureDoesNotMatch',
  'UnexpectedContent',
  'XAmzContentSHA256Mismatch',
])

/** True when S3's error `code` means the fast path's request form is refused. */
export const turnsFastPathOff = (code: string): boolean => refusedForm.has(code)
