import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createWorkdir } from '../../test/helpers/workdir.js'
import { createPhaseRecorder, type PhaseRecord } from './phase-recorder.js'

const work = createWorkdir()
afterAll(() => work.remove())

describe('createPhaseRecorder', () => {
  it('keeps at most its cap of commands and writes, and records in the file when the cap was reached', async () => {
    const recorder = createPhaseRecorder(2)
    for (const trigger of ['t1', 't2', 't3', 't4']) {
      recorder.mark(trigger, 'received', 10)
      recorder.mark(trigger, 'acked', 11)
    }
    recorder.mark('t1', 'replyAnswered', 20)
    recorder.write(1, 12, 14)
    recorder.write(1, 15, 16)
    recorder.write(2, 17, 18)
    const path = join(work.dir, 'phases.json')
    await recorder.save(path)
    const record = JSON.parse(readFileSync(path, 'utf8')) as PhaseRecord
    expect(record.commands).toHaveLength(2)
    expect(record.commands[0]?.at(-1)).toBe(performance.timeOrigin + 20)
    expect(record.writes).toHaveLength(2)
    expect(record.cap).toBe(2)
    expect(record.commandsCapped?.dropped).toBe(2)
    expect(record.writesCapped?.dropped).toBe(1)
    expect(record.commandsCapped?.at).toBeGreaterThan(performance.timeOrigin)
  })

  it('says nothing was dropped below the cap', async () => {
    const recorder = createPhaseRecorder()
    recorder.mark('t1', 'received')
    const path = join(work.dir, 'below.json')
    await recorder.save(path)
    const record = JSON.parse(readFileSync(path, 'utf8')) as PhaseRecord
    expect(record.cap).toBe(20_000)
    expect(record.commandsCapped).toBeNull()
    expect(record.writesCapped).toBeNull()
  })
})
