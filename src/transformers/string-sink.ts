import type { ByteSink } from './transformer.js'

/**
 * A ByteSink that collects Latin-1 text into a string: a string path that
 * shares its writer with the fast path stays equal to it by construction.
 */
export class StringSink implements ByteSink {
  text = ''

  writeString(s: string): void {
    this.text += s
  }

  writeByte(b: number): void {
    this.text += String.fromCharCode(b)
  }

  writeBytes(src: Buffer, start: number, end: number): void {
    this.text += src.toString('latin1', start, end)
  }
}
