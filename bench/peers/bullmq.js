// BullMQ on Redis for bench/compare.sh: node bullmq.js burndown|steady --redis-port P [--jobs N]
// [--concurrency C] [--rate R --seconds T] [--label NAME]. One Worker (concurrency C); a job counts as
// completed on the worker's `completed` event (after BullMQ moved it to completed in Redis).
'use strict'
const { Queue, Worker } = require('bullmq')
const IORedis = require('ioredis')
const { main } = require('./common')

main(async (flags) => {
  const connection = { host: '127.0.0.1', port: flags['redis-port'], maxRetriesPerRequest: null }
  const queueName = flags.queue || `bench-${process.pid}-${Date.now()}`
  let queue = null  // opened on first use: a worker-only process never opens one
  const producer = () => (queue = queue || new Queue(queueName, { connection }))
  let worker = null
  let workerConnection = null  // handed to the Worker, which then leaves closing it to us
  return {
    name: flags.label || 'bullmq',
    queueName,
    enqueueBatch: (payloads) => producer().addBulk(payloads.map((data) => ({ name: 'noop', data }))),
    enqueueOne: (data) => producer().add('noop', data),
    async startWorkers (handler, onCompleted) {
      workerConnection = new IORedis(connection)
      worker = new Worker(queueName, async (job) => { handler(job.data) }, {
        connection: workerConnection, concurrency: flags.concurrency || 32
      })
      worker.on('completed', (job) => onCompleted(job.data))
      await worker.waitUntilReady()
    },
    async close () {
      if (worker) await worker.close()
      if (workerConnection) workerConnection.disconnect()
      if (queue) {
        await queue.obliterate({ force: true })
        await queue.close()
      }
    }
  }
}).catch((error) => { console.error(error); process.exit(1) })
