import type { App } from '@slack/bolt'
import { createDumpCommand, type DumpCommandDeps } from './dump.js'

/** Slash commands. The manifest declares `/dump`; nothing else is registered. */
export function register(app: App, deps: DumpCommandDeps): void {
  app.command('/dump', createDumpCommand(deps))
}
