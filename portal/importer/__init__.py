"""Policy importer: notice texts (compilations extracted from PDF, or single notices) → policy records.

text.py cleans strings, metadata.py reads the 发文机关/标题/… blocks, body.py
rebuilds paragraphs and Markdown, extract.py infers region, topics, kind and
deadlines, parse.py assembles records and writer.py writes them.
"""
