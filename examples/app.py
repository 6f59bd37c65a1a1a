import pickle
import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/calc")
def calc():
    # eval(request.args) in a comment is never flagged
    return str(eval(request.args["expr"]))


@app.route("/load")
def load():
    return pickle.loads(request.data)


def run(cmd):
    subprocess.run(cmd, shell=True)


def archive(name):
    # safe: an argument list, no shell
    subprocess.run(["tar", "czf", f"{name}.tgz", name])
