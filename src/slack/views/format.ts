/** `2.4 MB`, `812 kB`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} kB`
  return `${bytes} B`
}

/** `5 minutes ago`, `3 hours ago`, `2 days ago`. */
export function formatAge(from: Date, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - from.getTime()) / 1000))
  const [n, unit] =
    seconds < 90
      ? [seconds, 'second']
      : seconds < 90 * 60
        ? [Math.round(seconds / 60), 'minute']
        : seconds < 36 * 3600
          ? [Math.round(seconds / 3600), 'hour']
          : [Math.round(seconds / 86400), 'day']
  return `${n} ${unit}${n === 1 ? '' : 's'} ago`
}

/** Slack shows it in the reader's own time zone; the fallback is exact UTC. */
export function formatTime(at: Date): string {
  const utc = `${at.toISOString().slice(0, 19).replace('T', ' ')} UTC`
  return `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} {time_secs}|${utc}>`
}
