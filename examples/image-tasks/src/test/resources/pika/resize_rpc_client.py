#!/usr/bin/env python3
"""Asks a Warren worker to resize an image the way RabbitMQ's RPC tutorial (rpc_client.py) calls.

An exclusive callback queue, a request with reply_to and a fresh correlation_id (no message_id),
and the reply matched by correlation_id. Prints the reply's body; exits 1 when none arrives in time.

    /usr/bin/python3 resize_rpc_client.py --uri amqp://guest:guest@localhost:5672/%2F --image-url https://img.example/cat.jpg --width 100
"""
import argparse
import json
import sys
import time
import uuid

import pika

parser = argparse.ArgumentParser(description="Call resize_image on a Warren worker, pika RPC tutorial style.")
parser.add_argument("--uri", default="amqp://guest:guest@localhost:5672/%2F")
parser.add_argument("--queue", default="task_queue")
parser.add_argument("--image-url", required=True)
parser.add_argument("--width", type=int, required=True)
parser.add_argument("--timeout", type=float, default=30.0)
args = parser.parse_args()


class ResizeRpcClient(object):

    def __init__(self):
        self.connection = pika.BlockingConnection(pika.URLParameters(args.uri))
        self.channel = self.connection.channel()

        result = self.channel.queue_declare(queue='', exclusive=True)
        self.callback_queue = result.method.queue

        self.channel.basic_consume(
            queue=self.callback_queue,
            on_message_callback=self.on_response,
            auto_ack=True)

        self.response = None
        self.corr_id = None

    def on_response(self, ch, method, props, body):
        if self.corr_id == props.correlation_id:
            self.response = body

    def call(self, image_url, width):
        self.response = None
        self.corr_id = str(uuid.uuid4())
        self.channel.basic_publish(
            exchange='',
            routing_key=args.queue,
            properties=pika.BasicProperties(
                reply_to=self.callback_queue,
                correlation_id=self.corr_id,
            ),
            body=json.dumps({"task_type": "resize_image", "image_url": image_url, "width": width}))
        deadline = time.monotonic() + args.timeout
        while self.response is None and time.monotonic() < deadline:
            self.connection.process_data_events(time_limit=0.2)
        return self.response


rpc = ResizeRpcClient()
print(" [x] Requesting resize_image(%s, %d)" % (args.image_url, args.width), flush=True)
response = rpc.call(args.image_url, args.width)
rpc.connection.close()
if response is None:
    print("no reply with correlation_id %s within %ss" % (rpc.corr_id, args.timeout), file=sys.stderr, flush=True)
    sys.exit(1)
print(response.decode("utf-8"), flush=True)
