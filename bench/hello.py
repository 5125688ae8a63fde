"""The one-route Flask app the catalogue is compared with."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"
