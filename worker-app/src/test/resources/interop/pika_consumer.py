#!/usr/bin/env python3
"""The classic RabbitMQ "work queues" consumer (worker.py), as a plain pika client would write it.

Declares the queue durable, takes one message at a time (prefetch 1), acknowledges each by hand.
For every message it prints one JSON line to stdout with the parsed body and the properties a
test checks; it stops after --count messages, or exits 3 when they do not arrive in --timeout s.

    /usr/bin/python3 pika_consumer.py --uri amqp://guest:guest@127.0.0.1:5672/%2F --queue task_queue --count 1
"""
import argparse
import json
import sys

import pika

parser = argparse.ArgumentParser(description="Consume tasks the way the pika tutorial does; print each as JSON.")
parser.add_argument("--uri", default="amqp://guest:guest@localhost:5672/%2F")
parser.add_argument("--queue", default="task_queue")
parser.add_argument("--count", type=int, default=1)
parser.add_argument("--timeout", type=float, default=30.0)
args = parser.parse_args()

connection = pika.BlockingConnection(pika.URLParameters(args.uri))
channel = connection.channel()

channel.queue_declare(queue=args.queue, durable=True)

received = 0
timed_out = False


def parse(body):
    text = body.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def plain(value):
    """Header values as JSON can carry them (pika may hand back bytes, datetimes, decimals)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def callback(ch, method, properties, body):
    global received
    print(json.dumps({
        "body": parse(body),
        "delivery_mode": properties.delivery_mode,
        "content_type": properties.content_type,
        "message_id": properties.message_id,
        "type": properties.type,
        "headers": plain(properties.headers),
    }), flush=True)
    ch.basic_ack(delivery_tag=method.delivery_tag)
    received += 1
    if received >= args.count:
        ch.stop_consuming()


def give_up():
    global timed_out
    timed_out = True
    channel.stop_consuming()


connection.call_later(args.timeout, give_up)
channel.basic_qos(prefetch_count=1)
channel.basic_consume(queue=args.queue, on_message_callback=callback)
channel.start_consuming()
connection.close()

if timed_out:
    print("timed out after %ss: received %d of %d message(s) from '%s'"
          % (args.timeout, received, args.count, args.queue), file=sys.stderr)
    sys.exit(3)
