"""The compiled meaning of :mod:`byhand.kernels._hints` (imported by ``_jit.compiled`` only,
once numba is imported): :func:`~byhand.kernels._hints.prefetch` becomes LLVM's prefetch of the
cache line holding ``a[i, j]``."""

from __future__ import annotations

from typing import Any

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, overload

from byhand.kernels import _hints


@intrinsic
def _prefetch_2d(typingctx: Any, a: Any, i: Any, j: Any) -> Any:
    if not (isinstance(a, types.Array) and a.ndim == 2):
        return None

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        index = [
            context.cast(builder, v, t, types.intp)
            for v, t in zip(args[1:], signature.args[1:], strict=True)
        ]
        ptr = cgutils.get_item_pointer(context, builder, aryty, ary, index, wraparound=False)
        i8p, i32 = ir.IntType(8).as_pointer(), ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0i8")
        # read (0), high temporal locality (3), data cache (1)
        builder.call(fn, [builder.bitcast(ptr, i8p), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return types.void(a, i, j), codegen


@overload(_hints.prefetch)
def _prefetch_overload(a, i, j):  # type: ignore[no-untyped-def]  (numba compares the
    # parameters, annotations included, with the implementation's below)
    if isinstance(a, types.Array) and a.ndim == 2:
        return lambda a, i, j: _prefetch_2d(a, i, j)
    return None
