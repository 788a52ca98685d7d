"""PyScript glue: read a widget's inputs, call `playground`, render HTML. No math here.

Every module except `browser` is plain Python, so the MkDocs build hook prerenders the very
same HTML that the browser later re-renders.
"""
