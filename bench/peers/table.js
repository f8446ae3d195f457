// Prints bench/compare.sh's table from the JSON files of one run: node table.js RESULTS_DIR.
// Files are <system>.<burndown|steady>.r<round>.json. Each cell is the median over the rounds that
// finished (with the range when there were several); ratios are of medians. n/a: no round finished.
'use strict'
const fs = require('fs')
const path = require('path')

const dir = process.argv[2]
const systems = [
  ['spooled', 'spooled-server (SQLite, synchronous=FULL), default SDK'],
  ['spooled-official', 'spooled-server, `--official-api` (claim with limit, one complete per job)'],
  ['bullmq-aof', 'BullMQ on Redis, AOF `appendfsync always`'],
  ['bullmq-nopersist', 'BullMQ on Redis, no persistence'],
  ['pgboss', 'pg-boss on PostgreSQL (insert batches of 1,000)']
]

// The reports of every round of one system and command that finished.
function load (system, command) {
  const prefix = `${system}.${command}.r`
  const reports = []
  for (const file of fs.readdirSync(dir).filter((f) => f.startsWith(prefix) && f.endsWith('.json'))) {
    try {
      const report = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8').trim().split('\n').pop())
      if (!report.incomplete) reports.push(report)
    } catch {}
  }
  return reports
}

function median (values) {
  if (!values.length) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

// { median, min, max, n } of one figure over the rounds.
function figure (reports, read) {
  const values = reports.map(read).filter((v) => typeof v === 'number')
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length }
}

const figures = {}
for (const [system] of systems) {
  const burndowns = load(system, 'burndown')
  const steadies = load(system, 'steady')
  figures[system] = {
    enqueue: figure(burndowns, (r) => r.enqueue_jobs_per_sec),
    drain: figure(burndowns, (r) => r.drain_jobs_per_sec),
    p50: figure(steadies, (r) => r.start_latency_ms?.p50),
    p99: figure(steadies, (r) => r.start_latency_ms?.p99),
    steadyRan: fs.readdirSync(dir).some((f) => f.startsWith(`${system}.steady.`))
  }
}

const ours = figures.spooled
const format = (value, digits) => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
const cell = (f, digits = 0) => f.median === undefined
  ? 'n/a'
  : format(f.median, digits) + (f.n > 1 ? ` (${format(f.min, digits)}–${format(f.max, digits)})` : '')
const ratio = (peer, base) => peer === undefined || !base ? 'n/a' : `${(peer / base).toFixed(2)}×`

console.log('| system | enqueue jobs/s | drain jobs/s | steady start p50 ms | steady start p99 ms | enqueue ÷ ours | drain ÷ ours | drain ÷ ours (official API) | start p99 ÷ ours |')
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
for (const [system, label] of systems) {
  const f = figures[system]
  const steadyCell = (value) => f.steadyRan ? cell(value, 2) : '—'
  const ratios = system.startsWith('spooled')
    ? ['', '', '', '']
    : [ratio(f.enqueue.median, ours.enqueue.median), ratio(f.drain.median, ours.drain.median),
        ratio(f.drain.median, figures['spooled-official'].drain.median), ratio(f.p99.median, ours.p99.median)]
  console.log(`| ${[label, cell(f.enqueue), cell(f.drain), steadyCell(f.p50), steadyCell(f.p99), ...ratios].join(' | ')} |`)
}

// The targets, computed from this run's medians (ours ÷ peer for throughput).
const aof = figures['bullmq-aof']
const pgboss = figures.pgboss
console.log('')
console.log('Targets (issue 8), from the medians of this run:')
console.log(`- drain, official API only ÷ BullMQ AOF always: ${ratio(figures['spooled-official'].drain.median, aof.drain.median)} (target ≥ 1.2×)`)
console.log(`- drain, default SDK ÷ BullMQ AOF always: ${ratio(ours.drain.median, aof.drain.median)} (target ≥ 2.5×)`)
console.log(`- bulk enqueue ÷ pg-boss batched insert: ${ratio(ours.enqueue.median, pgboss.enqueue.median)} (target ≥ 1.2×)`)
console.log(`- steady, p99 enqueue→start: ${ours.p99.median === undefined ? 'n/a' : format(ours.p99.median, 2) + ' ms'} (target ≤ 2.5 ms at 1,000 jobs/s)`)
