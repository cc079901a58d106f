#!/usr/bin/env python3
"""The RPC client of RabbitMQ's tutorial six (rpc_client.py), as a plain pika client writes it.

An exclusive callback queue, a request with reply_to and a fresh correlation_id (and no
message_id), and a reply matched by its correlation_id alone. Sends an echo task to a Warren
worker and prints the body of the reply that matches; exits 1 when none arrives in time.

    /usr/bin/python3 pika_rpc_client.py --uri amqp://guest:guest@127.0.0.1:5672/%2F --queue task_queue
"""
import argparse
import json
import sys
import time
import uuid

import pika

parser = argparse.ArgumentParser(description="Call a Warren worker the way the pika RPC tutorial does.")
parser.add_argument("--uri", default="amqp://guest:guest@localhost:5672/%2F")
parser.add_argument("--queue", default="task_queue")
parser.add_argument("--text", default="hello")
parser.add_argument("--timeout", type=float, default=15.0)
args = parser.parse_args()


class RpcClient(object):

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

    def call(self, text):
        self.response = None
        self.corr_id = str(uuid.uuid4())
        self.channel.basic_publish(
            exchange='',
            routing_key=args.queue,
            properties=pika.BasicProperties(
                reply_to=self.callback_queue,
                correlation_id=self.corr_id,
            ),
            body=json.dumps({"task_type": "echo", "text": text}))
        deadline = time.monotonic() + args.timeout
        while self.response is None and time.monotonic() < deadline:
            self.connection.process_data_events(time_limit=0.2)
        return self.response


rpc = RpcClient()
print(" [x] Requesting echo(%s)" % args.text, flush=True)
response = rpc.call(args.text)
rpc.connection.close()
if response is None:
    print("no reply with correlation_id %s within %ss" % (rpc.corr_id, args.timeout), file=sys.stderr, flush=True)
    sys.exit(1)
print(response.decode("utf-8"), flush=True)
