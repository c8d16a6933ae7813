"""The team deployment's job runner: Celery workers on a Redis broker.

    web front (selfeng serve, SELFENG_BROKER_URL)  ──send_task──>  Redis  ──>  selfeng worker × N
         ▲   per-client rooms, positions, polling                               │ orchestrator, sandbox,
         └──────────── job channel (events, states) + job records <────────────┘ shared store and model

Why Celery: it is the best-kept Python task engine with a Redis transport, and it gives the three things
the faults need without our own code: late acknowledgement (a message is acked only after its task has
finished), rejection with requeue when a pool process dies (`kill -9`), and reconnection to a restarted
broker. What Celery does not give, `jobs.JobRecords` adds on Redis: a job record per request (attempts,
state, result) so a redelivered message never runs a finished job twice and a job is retried once only;
a waiting list for queue positions; and one ordered channel per deployment that carries each job's events
and state changes to the web front that owns the client's socket.
"""
QUEUE = "selfeng"                 # the Celery queue requests go to
TASK = "selfeng.run_request"      # the task's name (the front sends by name; it never imports the worker)
MAX_ATTEMPTS = 2                  # a job whose worker died is retried once, then fails with a clear message
