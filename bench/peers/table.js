// Prints bench/compare.sh's table from the JSON files of one run: node table.js RESULTS_DIR.
// Files are <system>.burndown.json and <system>.steady.json; a missing or failed run shows "failed".
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

function load (system, command) {
  try {
    const report = JSON.parse(fs.readFileSync(path.join(dir, `${system}.${command}.json`), 'utf8').trim().split('\n').pop())
    return report.incomplete ? null : report
  } catch {
    return null
  }
}

const figures = {}
for (const [system] of systems) {
  const burndown = load(system, 'burndown')
  const steady = load(system, 'steady')
  figures[system] = {
    enqueue: burndown?.enqueue_jobs_per_sec,
    drain: burndown?.drain_jobs_per_sec,
    p50: steady?.start_latency_ms?.p50,
    p99: steady?.start_latency_ms?.p99,
    ran: { burndown: !!burndown, steady: fs.existsSync(path.join(dir, `${system}.steady.json`)) }
  }
}

const ours = figures.spooled
const number = (value, digits = 0) => value === undefined ? 'n/a' : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
const ratio = (peer, base) => peer === undefined || !base ? 'n/a' : `${(peer / base).toFixed(2)}×`

console.log('| system | enqueue jobs/s | drain jobs/s | steady start p50 ms | steady start p99 ms | enqueue ÷ ours | drain ÷ ours | drain ÷ ours (official API) | start p99 ÷ ours |')
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
for (const [system, label] of systems) {
  const f = figures[system]
  const peer = system.startsWith('spooled') ? null : f
  const steadyText = (value) => value === undefined && !f.ran.steady ? '—' : number(value, 2)
  console.log(`| ${label} | ${number(f.enqueue)} | ${number(f.drain)} | ${steadyText(f.p50)} | ${steadyText(f.p99)} | ` +
    (peer
      ? `${ratio(f.enqueue, ours.enqueue)} | ${ratio(f.drain, ours.drain)} | ${ratio(f.drain, figures['spooled-official'].drain)} | ${ratio(f.p99, ours.p99)} |`
      : '| | | |'))
}

// The targets, computed from this run (ours ÷ peer for throughput).
const aof = figures['bullmq-aof']
const pgboss = figures.pgboss
console.log('')
console.log('Targets (issue 8), from this run:')
console.log(`- drain, official API only ÷ BullMQ AOF always: ${ratio(figures['spooled-official'].drain, aof.drain)} (target ≥ 1.2×)`)
console.log(`- drain, default SDK ÷ BullMQ AOF always: ${ratio(ours.drain, aof.drain)} (target ≥ 2.5×)`)
console.log(`- bulk enqueue ÷ pg-boss batched insert: ${ratio(ours.enqueue, pgboss.enqueue)} (target ≥ 1.2×)`)
console.log(`- steady 1,000 jobs/s, p99 enqueue→start: ${number(ours.p99, 2)} ms (target ≤ 2.5 ms)`)
