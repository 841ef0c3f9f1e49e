import { AppError } from '../errors.js'

export interface S3Place {
  bucket: string
  /** `s3://bucket/prefix`, for messages. */
  where: string
  region: string | undefined
  endpoint: string | undefined
}

interface SdkError {
  name?: string
  code?: string
  message?: string
  Code?: string
  $metadata?: { httpStatusCode?: number }
  $response?: { headers?: Record<string, string | undefined> }
  errors?: SdkError[]
}

const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
])
const deniedNames = new Set([
  'AccessDenied',
  'Forbidden',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'AllAccessDisabled',
  'KMS.AccessDeniedException',
])
const regionNames = new Set([
  'PermanentRedirect',
  'AuthorizationHeaderMalformed',
  'IllegalLocationConstraintException',
])

/**
 * One clear AppError for an S3 failure: what is wrong with which bucket, and the
 * fix. Never quotes a URL with a signature, nor credentials.
 */
export function mapS3Error(err: unknown, place: S3Place, doing: string): AppError {
  if (err instanceof AppError) return err
  const e = (err ?? {}) as SdkError
  const name = e.name ?? e.Code ?? ''
  const status = e.$metadata?.httpStatusCode
  const code = e.code ?? e.errors?.find((x) => x.code)?.code ?? ''
  const endpoint = place.endpoint ?? 'AWS S3'
  const bucketRegion = e.$response?.headers?.['x-amz-bucket-region']

  if (networkCodes.has(code) || name === 'TimeoutError' || name === 'RequestTimeout') {
    return new AppError(
      'storage_unreachable',
      `Cannot reach ${endpoint} to ${doing} (${code || name}): check storage.endpoint in dumpling.yml, the network and any proxy.`,
      { cause: err },
    )
  }
  if (name === 'NoSuchBucket' || (name === 'NotFound' && doing === 'check the bucket')) {
    return new AppError(
      'storage_bucket_missing',
      `The bucket ${place.bucket} does not exist at ${endpoint}: create it, or fix storage.bucket in dumpling.yml.`,
      { cause: err },
    )
  }
  if (regionNames.has(name) || status === 301 || bucketRegion) {
    const actual = bucketRegion ? `is in ${bucketRegion}` : 'is in another region'
    return new AppError(
      'storage_wrong_region',
      `The bucket ${place.bucket} ${actual}, not ${place.region ?? 'the default region'}: set storage.region${bucketRegion ? `: ${bucketRegion}` : ''} in dumpling.yml.`,
      { cause: err },
    )
  }
  if (name === 'CredentialsProviderError') {
    return new AppError(
      'storage_access_denied',
      `No AWS credentials were found to ${doing} in ${place.where}: provide them the AWS SDK's usual way (an IAM role, AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), never in dumpling.yml.`,
      { cause: err },
    )
  }
  if (deniedNames.has(name) || status === 403) {
    return new AppError(
      'storage_access_denied',
      `Access denied to ${doing} in ${place.where}: grant these credentials s3:ListBucket, s3:GetObject, s3:PutObject and s3:DeleteObject on it (and kms:GenerateDataKey/kms:Decrypt for aws:kms).`,
      { cause: err },
    )
  }
  if (/region is missing/i.test(e.message ?? '')) {
    return new AppError(
      'config_invalid',
      `No AWS region for the bucket ${place.bucket}: set storage.region in dumpling.yml (or AWS_REGION).`,
      { cause: err },
    )
  }
  return new AppError(
    'storage_failed',
    `Could not ${doing} in ${place.where}: ${name || code || 'error'}${e.message ? `: ${e.message}` : ''}. Check the storage settings and try again.`,
    { cause: err },
  )
}
