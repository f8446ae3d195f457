// What the peer benchmarks share: flags, a monotonic clock, percentiles, the fixed-rate producer and
// the burn-down / steady drivers. Each peer script supplies enqueue, worker and cleanup functions;
// the figures and JSON keys are those of spooled-bench (docs/performance.md).
'use strict'
const { fork } = require('child_process')
const fs = require('fs')

// --name value pairs; numbers where they parse.
function parseFlags (argv) {
  const flags = {}
  for (let i = 0; i < argv.length; i++) {
    if (!argv[i].startsWith('--')) continue
    const key = argv[i].slice(2)
    const value = argv[i + 1] !== undefined && !argv[i + 1].startsWith('--') ? argv[++i] : 'true'
    flags[key] = Number.isNaN(Number(value)) ? value : Number(value)
  }
  return flags
}

// Microseconds on CLOCK_MONOTONIC (the clock spooled-bench uses too).
const nowMicros = () => Number(process.hrtime.bigint() / 1000n)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// Nearest-rank percentiles in milliseconds, as spooled-bench reports them.
function summarize (samples) {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (p) => sorted.length ? sorted[Math.min(sorted.length, Math.max(1, Math.ceil(p / 100 * sorted.length))) - 1] : 0
  const round = (ms) => Math.round(ms * 1000) / 1000
  return { count: sorted.length, p50: round(at(50)), p95: round(at(95)), p99: round(at(99)), max: round(sorted.length ? sorted[sorted.length - 1] : 0) }
}

// CPU time (user + system, microseconds) of a process, what its reaped children used, and its live
// children's (PostgreSQL: the postmaster and its backends); null when /proc has no such process.
function treeCpuMicros (pid) {
  const fields = (statPid) => {
    try {
      const stat = fs.readFileSync(`/proc/${statPid}/stat`, 'utf8')
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')  // [0] is field 3 (state)
    } catch (error) {
      return null
    }
  }
  const at = (f, field) => Number(f[field - 3])
  const own = fields(pid)
  if (!own) return null
  let ticks = at(own, 14) + at(own, 15) + at(own, 16) + at(own, 17)
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const child = fields(entry)
    if (child && at(child, 4) === pid) ticks += at(child, 14) + at(child, 15)
  }
  return ticks * 1e6 / 100  // USER_HZ is 100 on Linux
}

// (after - before) / count, rounded to a tenth; null when a reading is missing.
const perJob = (before, after, count) =>
  before === null || after === null || !count ? null : Math.round((after - before) / count * 10) / 10
const ownCpuMicros = () => { const usage = process.cpuUsage(); return usage.user + usage.system }

async function waitUntil (condition, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) return false
    await sleep(5)
  }
  return true
}

// peer: { name, queueName, enqueueBatch(payloads), enqueueOne(payload), startWorkers(handler, onCompleted),
// close() }. handler(payload) runs as the job's handler; onCompleted(payload) once the system has
// acknowledged the job's completion. close() closes what this process opened.
async function burndown (peer, flags) {
  const jobs = flags.jobs || 20000
  const batch = flags.batch || 1000
  const inFlight = flags['enqueue-concurrency'] || 4
  const started = nowMicros()
  let next = 0
  const sender = async () => {
    while (next < jobs) {
      const count = Math.min(batch, jobs - next)
      next += count
      await peer.enqueueBatch(Array.from({ length: count }, () => ({})))
    }
  }
  await Promise.all(Array.from({ length: inFlight }, sender))
  const enqueueSeconds = (nowMicros() - started) / 1e6

  // With --database-pid, the CPU per drained job of the database (and always of this process).
  const databasePid = flags['database-pid'] || 0
  const databaseCpu = () => databasePid ? treeCpuMicros(databasePid) : null
  let completed = 0
  let lastCompletion = 0
  const drainStarted = nowMicros()
  const cpuStarted = { own: ownCpuMicros(), database: databaseCpu() }
  await peer.startWorkers(() => {}, () => { completed++; lastCompletion = nowMicros() })
  const finished = await waitUntil(async () => completed >= jobs, (flags['timeout-seconds'] || 600) * 1000)
  const cpuDrained = { own: ownCpuMicros(), database: databaseCpu() }
  const drainSeconds = (lastCompletion - drainStarted) / 1e6
  await peer.close()
  return {
    command: 'burndown',
    system: peer.name,
    jobs,
    enqueue_seconds: enqueueSeconds,
    enqueue_jobs_per_sec: Math.round(jobs / enqueueSeconds),
    completed,
    drain_seconds: drainSeconds,
    drain_jobs_per_sec: drainSeconds > 0 ? Math.round(completed / drainSeconds) : 0,
    client_cpu_us_per_job_drain: perJob(cpuStarted.own, cpuDrained.own, completed),
    database_cpu_us_per_job_drain: perJob(cpuStarted.database, cpuDrained.database, completed),
    ...(finished ? {} : { incomplete: 'the drain did not finish in time' })
  }
}

// The next IPC message of `type` from `from` (a child process, or `process` in the child).
const nextMessage = (from, type) => new Promise((resolve) => {
  const listener = (message) => {
    if (message.type !== type) return
    from.off('message', listener)
    resolve(message)
  }
  from.on('message', listener)
})

// Steady: the workers run in a child process (as a separate worker deployment would), so producer
// and workers each get an event loop, as spooled-bench's threads do. Both processes read one clock.
async function steady (peer, flags) {
  const rate = flags.rate || 1000
  const seconds = flags.seconds || 10
  const senders = flags.senders || 32
  const total = Math.floor(rate * seconds)
  const child = fork(process.argv[1], ['steady-worker', ...process.argv.slice(3), '--queue', peer.queueName])
  let completed = 0
  child.on('message', (message) => { if (message.type === 'progress') completed = message.completed })
  await nextMessage(child, 'ready')

  const started = nowMicros()
  let next = 0
  let enqueued = 0
  // Like spooled-bench: up to `senders` single enqueues in flight, job i due at started + i/rate.
  const sender = async () => {
    while (next < total) {
      const i = next++
      const wait = (started + i * 1e6 / rate - nowMicros()) / 1000
      if (wait > 0) await sleep(wait)
      await peer.enqueueOne({ enqueued_us: nowMicros() })
      enqueued++
    }
  }
  await Promise.all(Array.from({ length: senders }, sender))
  const enqueueSeconds = (nowMicros() - started) / 1e6
  const drained = await waitUntil(async () => completed >= enqueued, (flags['drain-timeout-seconds'] || 30) * 1000)
  child.send({ type: 'stop' })
  const { startMs, completeMs } = await nextMessage(child, 'result')
  child.kill()  // it exits by itself; this is for one that hangs in its library's shutdown
  await peer.close()
  return {
    command: 'steady',
    system: peer.name,
    rate,
    seconds,
    enqueued,
    achieved_rate: Math.round(enqueued / enqueueSeconds),
    started: startMs.length,
    completed: completeMs.length,
    start_latency_ms: summarize(startMs),
    complete_latency_ms: summarize(completeMs),
    ...(drained ? {} : { incomplete: 'not every job completed in time' })
  }
}

// The child side of steady: runs the workers until the parent says stop, then sends the latencies.
async function steadyWorker (peer) {
  process.on('disconnect', () => process.exit(1))  // the parent is gone
  const startMs = []
  const completeMs = []
  await peer.startWorkers(
    (payload) => { startMs.push((nowMicros() - payload.enqueued_us) / 1000) },
    (payload) => { completeMs.push((nowMicros() - payload.enqueued_us) / 1000) })
  process.send({ type: 'ready' })
  const progress = setInterval(() => process.send({ type: 'progress', completed: completeMs.length }), 10)
  await nextMessage(process, 'stop')
  clearInterval(progress)
  await peer.close()
  process.send({ type: 'result', startMs, completeMs })
}

// Runs `command` (burndown or steady) of a peer built by makePeer(flags) and prints one JSON line.
async function main (makePeer) {
  const [command, ...rest] = process.argv.slice(2)
  const flags = parseFlags(rest)
  const peer = await makePeer(flags)
  if (command === 'steady-worker') {
    await steadyWorker(peer)
    // Clients the peer library does not own (a Redis connection handed to a Worker) would keep
    // this process alive.
    process.exit(0)
  }
  const run = { burndown, steady }[command]
  if (!run) throw new Error(`unknown command ${command}: burndown or steady`)
  const report = await run(peer, flags)
  console.log(JSON.stringify(report))
  process.exit(report.incomplete ? 1 : 0)
}

module.exports = { main, nowMicros, sleep }
