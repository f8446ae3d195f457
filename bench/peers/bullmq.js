// BullMQ on Redis for bench/compare.sh: node bullmq.js burndown|steady --redis-port P [--jobs N]
// [--concurrency C] [--rate R --seconds T] [--label NAME]. Producer and one Worker (concurrency C)
// run in this process; a job counts as completed on the worker's `completed` event.
'use strict'
const { Queue, Worker } = require('bullmq')
const IORedis = require('ioredis')
const { main } = require('./common')

main(async (flags) => {
  const connection = { host: '127.0.0.1', port: flags['redis-port'], maxRetriesPerRequest: null }
  const queueName = `bench-${process.pid}-${Date.now()}`
  const queue = new Queue(queueName, { connection })
  let worker = null
  return {
    name: flags.label || 'bullmq',
    enqueueBatch: (payloads) => queue.addBulk(payloads.map((data) => ({ name: 'noop', data }))),
    enqueueOne: (data) => queue.add('noop', data),
    async startWorkers (handler, onCompleted) {
      worker = new Worker(queueName, async (job) => { handler(job.data) }, {
        connection: new IORedis(connection), concurrency: flags.concurrency || 32
      })
      worker.on('completed', (job) => onCompleted(job.data))
      await worker.waitUntilReady()
    },
    async close () {
      if (worker) await worker.close()
      await queue.obliterate({ force: true })
      await queue.close()
    }
  }
}).catch((error) => { console.error(error); process.exit(1) })
