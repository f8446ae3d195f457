// pg-boss on PostgreSQL for bench/compare.sh: node pgboss.js burndown|steady --pg-url URL [--jobs N]
// [--batch 1000] [--workers W] [--fetch-batch B] [--rate R --seconds T]. Jobs are inserted in batches
// (boss.insert); W work() loops each fetch up to B jobs and complete them in one statement. pg-boss
// polls at most every 0.5 s (its minimum) unless a fetch keeps finding jobs.
'use strict'
const PgBoss = require('pg-boss')
const Manager = require('pg-boss/src/manager')
const { main } = require('./common')

// A job counts as completed when pg-boss's own complete statement (sent by its worker loop after the
// handler returns) has finished; this hook sees every such statement.
const completedHooks = []
const originalComplete = Manager.prototype.complete
Manager.prototype.complete = async function (name, id, ...rest) {
  const result = await originalComplete.call(this, name, id, ...rest)
  for (const hook of completedHooks) hook(Array.isArray(id) ? id : [id])
  return result
}

main(async (flags) => {
  const boss = new PgBoss({ connectionString: flags['pg-url'], max: 20 })
  boss.on('error', (error) => console.error(error))
  await boss.start()
  // A steady run's worker process is given the queue its parent created.
  const queueName = flags.queue || `bench_${process.pid}_${Date.now()}`
  if (!flags.queue) await boss.createQueue(queueName)
  return {
    name: flags.label || 'pg-boss',
    queueName,
    enqueueBatch: (payloads) => boss.insert(payloads.map((data) => ({ name: queueName, data }))),
    enqueueOne: (data) => boss.send(queueName, data),
    async startWorkers (handler, onCompleted) {
      const running = new Map()  // job id -> payload, from handler start to completion
      completedHooks.push((ids) => {
        for (const id of ids) {
          if (!running.has(id)) continue
          onCompleted(running.get(id))
          running.delete(id)
        }
      })
      for (let i = 0; i < (flags.workers || 4); i++) {
        await boss.work(queueName, { batchSize: flags['fetch-batch'] || 100, pollingIntervalSeconds: 0.5 }, async (jobs) => {
          for (const job of jobs) {
            running.set(job.id, job.data)
            handler(job.data)
          }
        })
      }
    },
    async close () {
      await boss.stop({ graceful: true, wait: true, timeout: 10000 })
    }
  }
}).catch((error) => { console.error(error); process.exit(1) })
