import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs, webApi } from '@slack/bolt'
import type { AuditEvent } from '../../../audit/audit-event.js'
import { auditEventId } from '../../../audit/record-audit.js'
import type { Config } from '../../../config/load-config.js'
import type { Jobs } from '../../../jobs/jobs.js'
import type { Logger } from '../../../logger.js'
import type { SnapshotStorage } from '../../../storage/storage.js'
import { type Access, checkAccess, groupsToResolve, type Requester } from '../../allowlist.js'
import type { AuditChannel } from '../../audit-channel.js'
import type { GroupMembers } from '../../group-members.js'
import type { LatestSnapshot } from '../../latest-snapshot.js'
import { type DumpCommand, parseCommand } from '../../parse-command.js'
import type { Phase, PhaseRecorder } from '../../phase-recorder.js'
import type { RateLimit } from '../../rate-limit.js'
import type { ResponseUrlPoster } from '../../response-url.js'
import { scrubSecrets } from '../../scrub-secrets.js'
import type { SeenTriggers } from '../../seen-triggers.js'
import { auditPostText, refreshEndPostText, refreshStartPostText } from '../../views/audit-post.js'
import {
  refreshDoneText,
  refreshRunningReply,
  refreshStartedReply,
  statusReply,
} from '../../views/job-replies.js'
import {
  auditFailedReply,
  deniedReply,
  failedReply,
  helpReply,
  latestReply,
  noSnapshotReply,
  type Reply,
  rateLimitedReply,
  reply,
} from '../../views/replies.js'

/** Records one audit event: durably first, then in the log. Rejects if it could not be stored. */
export type RecordAudit = (event: AuditEvent) => Promise<void>

export interface DumpCommandDeps {
  config: Config
  storage: SnapshotStorage
  recordAudit: RecordAudit
  /** The newest snapshot, shared by requests that arrive together. */
  latest: LatestSnapshot
  jobs: Jobs
  log: Logger
  groups: GroupMembers
  auditChannel: AuditChannel
  /** Posts the ephemeral replies to the command's response_url. */
  responses: ResponseUrlPoster
  rateLimit: RateLimit
  seen: SeenTriggers
  /**
   * Runs the work after the ack with bounded concurrency, so that under a burst new
   * requests are still acked at once instead of queueing behind every reply in progress.
   */
  limit: <T>(work: () => Promise<T>) => Promise<T>
  /** Seconds a link stays valid (`links.expiresIn`). */
  linkSeconds: number
  now: () => Date
  /** Bench-only: when each command reached each step (numbers only). */
  phases?: PhaseRecorder | undefined
  /**
   * Told of each command's work after its ack (audit, link, reply; a refresh's result),
   * which then goes on after the listener returns; shutdown waits for it. Without it
   * the listener waits for the work itself.
   */
  track?: (work: Promise<unknown>) => void
}

/** A response_url takes posts for 30 minutes; after that a refresh result goes by direct message. */
const responseUrlMs = 29 * 60_000

type Args = SlackCommandMiddlewareArgs & AllMiddlewareArgs

/**
 * `/dump`: ack at once (Slack's deadline is 3 s), then check, audit and answer
 * through the command's response_url, ephemerally. A duplicate delivery is acked and ignored.
 * The listener returns once the work is started (handed to `deps.track`), so Bolt's
 * per-request objects die young instead of surviving garbage collections for the
 * command's whole life (README, "The Slack app under load").
 */
export function createDumpCommand(deps: DumpCommandDeps) {
  return async ({ command, ack, client }: Args): Promise<void> => {
    await ack()
    const mark = markerFor(deps.phases, command.trigger_id)
    mark?.('listener')
    if (!deps.seen.firstTime(command.trigger_id, Date.now())) {
      deps.log.info({ user: command.user_id }, 'duplicate delivery ignored')
      return
    }
    // Never rejects: every failure is logged and answered inside.
    const work = answerCommand(deps, command, client, mark)
    if (deps.track) deps.track(work)
    else await work
  }
}

async function answerCommand(
  deps: DumpCommandDeps,
  command: Args['command'],
  client: webApi.WebClient,
  mark: Request['mark'],
): Promise<void> {
  const who: Requester = {
    team: command.team_id || null,
    enterprise: command.enterprise_id || null,
    user: command.user_id,
    channel: command.channel_id,
  }
  const parsed = parseCommand(command.text)
  const responseUrl = command.response_url
  const answer = async (r: Reply) => {
    mark?.('replySent')
    const sent = await send(deps.responses, responseUrl, r, deps.log)
    mark?.('replyAnswered')
    return sent
  }
  try {
    const request = { who, parsed, text: command.text.trim(), answer, client, mark }
    const tail = await deps.limit(() => handle(deps, request))
    // A refresh waits for its snapshot outside the limit.
    await tail?.()
  } catch (err) {
    deps.log.error({ err: safeError(err), verb: parsed.kind }, 'dump command failed')
    await answer(failedReply(`\`/dump ${parsed.kind}\``))
  }
}

interface Request {
  who: Requester
  parsed: DumpCommand
  text: string
  answer: (r: Reply) => Promise<boolean>
  client: webApi.WebClient
  /** Bench-only phase marks of this command; null when off. */
  mark: ((phase: Phase) => void) | null
}

/** Returns what is left to do outside the concurrency limit, if anything. */
async function handle(deps: DumpCommandDeps, req: Request): Promise<void | (() => Promise<void>)> {
  const { parsed, answer } = req
  const access = await decide(deps, req.who, parsed)
  const event = auditEvent(deps, req, access)

  if (!access.allowed) {
    // Nothing is handed out, so a failed audit write does not change the answer.
    await audit(deps, event).catch(() => {})
    await answer(deniedReply(access.reason))
    return
  }
  switch (parsed.kind) {
    case 'help':
      await audit(deps, event).catch(() => {})
      await answer(helpReply(parsed.unknown))
      return
    case 'latest':
      return latest(deps, req, event)
    case 'refresh':
      return refresh(deps, req, event)
    case 'status': {
      // Status hands out nothing: like help and refusals, it does not wait on a failed audit write.
      await audit(deps, event).catch(() => {})
      const [manifest, status] = await Promise.all([deps.latest.get(), deps.jobs.status()])
      await answer(statusReply(manifest, status, deps.now()))
    }
  }
}

async function decide(deps: DumpCommandDeps, who: Requester, parsed: DumpCommand): Promise<Access> {
  if (parsed.kind === 'help') return { allowed: true }
  const rules = deps.config.slack
  const needLead = parsed.kind === 'refresh'
  const first = checkAccess(rules, who, new Set(), needLead)
  const groups = groupsToResolve(rules, needLead)
  if (first.allowed || (first.check !== 'user' && first.check !== 'lead') || groups.length === 0) {
    return first
  }
  return checkAccess(rules, who, await deps.groups.groupsOf(who.user, groups), needLead)
}

async function latest(deps: DumpCommandDeps, req: Request, event: AuditEvent): Promise<void> {
  const manifest = await deps.latest.get()
  if (!manifest) {
    await audit(deps, event).catch(() => {})
    await req.answer(noSnapshotReply())
    return
  }
  const limit = deps.rateLimit.take(req.who.user, deps.now())
  if (!limit.ok) {
    const denied = { ...event, decision: { allowed: false as const, reason: 'rate limit reached' } }
    await audit(deps, denied).catch(() => {})
    await req.answer(
      rateLimitedReply(deps.config.slack.rateLimit.linksPerUserPerHour, limit.retryAt),
    )
    return
  }
  const link = await deps.storage.createLinkTo(manifest, deps.linkSeconds)
  const withLink = {
    ...event,
    snapshotId: manifest.id,
    linkExpiresAt: link.expiresAt.toISOString(),
  }
  try {
    req.mark?.('auditQueued')
    await audit(deps, withLink)
    req.mark?.('auditDurable')
  } catch {
    await req.answer(auditFailedReply())
    return
  }
  await req.answer(latestReply(manifest, link, deps.now()))
}

async function refresh(
  deps: DumpCommandDeps,
  req: Request,
  event: AuditEvent,
): Promise<void | (() => Promise<void>)> {
  const status = await deps.jobs.status()
  if (status.running) {
    await audit(deps, event).catch(() => {})
    await req.answer(refreshRunningReply(status.running))
    return
  }
  try {
    await audit(deps, event)
  } catch {
    await req.answer(auditFailedReply())
    return
  }
  const result = await deps.jobs.start(req.who.user)
  if (!result.started) {
    await req.answer(refreshRunningReply(result.running))
    return
  }
  deps.auditChannel.post(refreshStartPostText(req.who.user))
  await req.answer(refreshStartedReply())
  return async () => {
    const outcome = await result.done
    if (outcome.ok) deps.latest.forget()
    deps.auditChannel.post(refreshEndPostText(req.who.user, outcome))
    await followUp(deps, req, refreshDoneText(outcome), result.job.startedAt)
  }
}

/** The refresh result: ephemeral through response_url while it works, else a direct message. */
async function followUp(deps: DumpCommandDeps, req: Request, text: string, startedAt: Date) {
  if (
    deps.now().getTime() - startedAt.getTime() < responseUrlMs &&
    (await req.answer(reply(text)))
  ) {
    return
  }
  try {
    await req.client.chat.postMessage({
      channel: req.who.user,
      text,
      unfurl_links: false,
      unfurl_media: false,
    })
  } catch (err) {
    deps.log.warn({ err: safeError(err), user: req.who.user }, 'could not send the refresh result')
  }
}

/** Durable write, then log (both in recordAudit), then the audit channel. */
async function audit(deps: DumpCommandDeps, event: AuditEvent): Promise<void> {
  try {
    await deps.recordAudit(event)
  } catch (err) {
    deps.log.error({ err: safeError(err), auditId: event.id }, 'audit record could not be stored')
    throw err
  }
  deps.auditChannel.post(auditPostText(event))
}

function markerFor(
  phases: PhaseRecorder | undefined,
  trigger: string,
): ((phase: Phase) => void) | null {
  return phases ? (phase) => phases.mark(trigger, phase) : null
}

function auditEvent(deps: DumpCommandDeps, req: Request, access: Access): AuditEvent {
  const now = deps.now()
  return {
    id: auditEventId(now),
    time: now.toISOString(),
    actor: { kind: 'slack', ...req.who },
    command: '/dump',
    arguments: req.text.slice(0, 200),
    decision: access.allowed ? { allowed: true } : { allowed: false, reason: access.reason },
    snapshotId: null,
    linkExpiresAt: null,
  }
}

/** Post an ephemeral reply; false when the response_url is expired or used up (logged, never thrown). */
async function send(
  responses: ResponseUrlPoster,
  responseUrl: string,
  r: Reply,
  log: Logger,
): Promise<boolean> {
  try {
    await responses.post(responseUrl, r)
    return true
  } catch (err) {
    log.warn({ err: safeError(err) }, 'could not post the reply to response_url')
    return false
  }
}

/** An error for the log: its name, code and message, scrubbed; a URL in a message is a bearer token. */
function safeError(err: unknown): { name: string; code?: string; message: string } {
  const e = err as { name?: string; code?: string; message?: string }
  const message = scrubSecrets(String(e?.message ?? err))
  return { name: e?.name ?? 'Error', message, ...(e?.code ? { code: e.code } : {}) }
}
