#!/usr/bin/env python3
"""Sends one image task the way RabbitMQ's "work queues" tutorial (new_task.py) sends one.

A durable queue, a persistent JSON message with task_type, the default exchange, and no other
property: no message_id, no content_type, no type.

    /usr/bin/python3 new_task.py --uri amqp://guest:guest@localhost:5672/%2F resize_image image_url=https://img.example/dog.png width=320
"""
import argparse
import json

import pika

parser = argparse.ArgumentParser(description="Send one task to a Warren worker, pika tutorial style.")
parser.add_argument("--uri", default="amqp://guest:guest@localhost:5672/%2F")
parser.add_argument("--queue", default="task_queue")
parser.add_argument("task_type")
parser.add_argument("fields", nargs="*", help="name=value; a value that is a number is sent as one")
args = parser.parse_args()

task = {"task_type": args.task_type}
for field in args.fields:
    name, value = field.split("=", 1)
    task[name] = int(value) if value.lstrip("-").isdigit() else value
message = json.dumps(task)

connection = pika.BlockingConnection(pika.URLParameters(args.uri))
channel = connection.channel()

channel.queue_declare(queue=args.queue, durable=True)

channel.basic_publish(
    exchange="",
    routing_key=args.queue,
    body=message,
    properties=pika.BasicProperties(delivery_mode=2),  # make message persistent
)
print(" [x] Sent %s" % message, flush=True)
connection.close()
