"""placeholder"""
KINDS = ()
__all__ = []
RECOGNISERS = ()
