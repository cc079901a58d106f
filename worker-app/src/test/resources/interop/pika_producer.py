#!/usr/bin/env python3
"""The classic RabbitMQ "work queues" producer (new_task.py), as a plain pika client would write it.

Declares the queue durable, publishes persistent JSON tasks to the default exchange and sets no
other property: no content_type, no message_id, no type. Warren's worker must handle them.

    /usr/bin/python3 pika_producer.py --uri amqp://guest:guest@127.0.0.1:5672/%2F --queue task_queue --count 3
"""
import argparse
import json

import pika

parser = argparse.ArgumentParser(description="Publish send_welcome_email tasks the way the pika tutorial does.")
parser.add_argument("--uri", default="amqp://guest:guest@localhost:5672/%2F")
parser.add_argument("--queue", default="task_queue")
parser.add_argument("--count", type=int, default=1)
args = parser.parse_args()

connection = pika.BlockingConnection(pika.URLParameters(args.uri))
channel = connection.channel()

channel.queue_declare(queue=args.queue, durable=True)

for i in range(args.count):
    message = json.dumps({
        "task_type": "send_welcome_email",
        "user_id": 123 + i,
        "email": "user@example.com",
        "user_name": "John Doe",
    })
    channel.basic_publish(
        exchange="",
        routing_key=args.queue,
        body=message,
        properties=pika.BasicProperties(delivery_mode=2),  # make message persistent
    )
    print(" [x] Sent %s" % message, flush=True)

connection.close()
