# A capture (gdb/SCHEMA.md) as a document (doc.py), by its schema.
from labctl.report import kernels_model, timeline_model, trace_model

BUILDERS = {
    'labctl-trace/1': trace_model.build,
    'labctl-timeline/1': timeline_model.build,
    'labctl-kernels/1': kernels_model.build,
}


def build(cap):
    """The document of capture CAP, or None when it holds too little to
    tell; ValueError for a schema not known here."""
    schema = cap.get('schema')
    if schema not in BUILDERS:
        raise ValueError('unknown capture schema %r' % schema)
    return BUILDERS[schema](cap)
