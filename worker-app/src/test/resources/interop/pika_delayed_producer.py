#!/usr/bin/env python3
"""A delayed task from plain pika, by Warren's routing convention (docs/scheduling.md).

Publishes one persistent JSON task to the exchange warren.delay.27 (for a quorum work queue,
--quorum: warren.delay.q.27) with the routing key of the delay's 28 bits (highest first) and the
work queue, and the header x-warren-due-at. The delay topology and the queue's binding must exist
(a Warren publisher, or a worker started with --delayed-tasks, declares them).

    /usr/bin/python3 pika_delayed_producer.py --uri amqp://guest:guest@127.0.0.1:5672/%2F --queue task_queue --delay 5
"""
import argparse
import datetime
import json
import math
import uuid

import pika

LEVELS = 28


def delay_key(seconds, queue):
    d = math.ceil(seconds)  # round up: never early
    if not 1 <= d < 2 ** LEVELS:
        raise ValueError("delay must be 1..%d s, was %s" % (2 ** LEVELS - 1, seconds))
    return ".".join(str((d >> k) & 1) for k in range(LEVELS - 1, -1, -1)) + "." + queue


parser = argparse.ArgumentParser(description="Publish one delayed send_welcome_email task.")
parser.add_argument("--uri", default="amqp://guest:guest@localhost:5672/%2F")
parser.add_argument("--queue", default="task_queue")
parser.add_argument("--delay", type=float, default=5, help="seconds")
parser.add_argument("--quorum", action="store_true", help="the work queue is a quorum queue")
args = parser.parse_args()

connection = pika.BlockingConnection(pika.URLParameters(args.uri))
channel = connection.channel()
channel.confirm_delivery()

message_id = str(uuid.uuid4())
due = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=args.delay)
channel.basic_publish(
    exchange=("warren.delay.q.%d" if args.quorum else "warren.delay.%d") % (LEVELS - 1),
    routing_key=delay_key(args.delay, args.queue),
    body=json.dumps({"task_type": "send_welcome_email", "user_id": 123, "email": "user@example.com"}),
    properties=pika.BasicProperties(
        delivery_mode=2,  # persistent
        message_id=message_id,
        type="send_welcome_email",
        content_type="application/json",
        headers={"x-warren-due-at": due.isoformat().replace("+00:00", "Z")},
    ),
    mandatory=True,
)
print(message_id, flush=True)
connection.close()
