"""Run: process_document, executors, and the on-disk record of what is done.

document (one input through every stage), records (per-document records and keys),
corpus (planning, running and assembling a whole corpus), executors (in process, a
local process pool, a Dask cluster), codec (records as JSON).
"""
