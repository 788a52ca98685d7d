from playground.formula import Formula
from .widget import Field
from .html import value
NAME="demo"; TITLE="Demo"
W = Formula("weights_bytes = params * bits / 8", symbols={"weights_bytes": ("W","bytes"), "params": ("P","count")})
def fields(): return [Field("params","Params","number","7e9", min=1), Field("bits","Bits","select","16", options=(("16","16"),("8","8")))]
def render(v):
    from playground.errors import positive_float
    t = W(params=positive_float(v["params"], "params", "params"), bits=int(v["bits"]))
    return value("weights_bytes", t.value, t.formatted()) + t.mathml()
