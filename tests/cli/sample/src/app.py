import json


def handler(request):
    # eval(request.body) would be dangerous; this comment is not flagged
    config = json.loads(request.body)
    return eval(config["expression"])


def safe():
    return eval("1 + 1")


def accepted(expr):
    return eval(expr)  # sg-ignore[python.eval]: expressions come from our own config file


def stale():
    return 1  # sg-ignore[python.eval]
