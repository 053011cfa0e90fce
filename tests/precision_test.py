"""Mixed precision only where bfloat16 is native: CPU flags, the policy and its warning."""
from absl import logging
import pytest

from cinegen_tf.training import precision
from experiments.configs import quickstart


def _cpuinfo(tmp_path, flags):
    path = tmp_path / "cpuinfo"
    path.write_text("processor\t: 0\nmodel name\t: Some CPU\n"
                    f"flags\t\t: fpu sse2 {flags}\n\nprocessor\t: 1\n")
    return str(path)


def test_cpu_flags_are_read_from_cpuinfo(tmp_path):
    assert precision.cpu_flags(_cpuinfo(tmp_path, "avx2 amx_bf16")) == {
        "fpu", "sse2", "avx2", "amx_bf16"}
    assert precision.cpu_flags(str(tmp_path / "missing")) == set()
    assert precision.cpuinfo_field(("model name",), _cpuinfo(tmp_path, "")) == "Some CPU"
    assert precision.cpuinfo_field(("model name",), str(tmp_path / "missing")) is None


def test_label_names_the_precision_a_record_states():
    assert [precision.label(v) for v in (True, False, None)] == ["bfloat16", "float32", "None"]


@pytest.mark.parametrize("flags, native", [("avx2 fma", False), ("avx512f avx512_bf16", True),
                                           ("amx_tile amx_bf16", True)])
def test_native_bfloat16_follows_the_cpu_flags(tmp_path, monkeypatch, flags, native):
    monkeypatch.setattr(precision, "CPUINFO", _cpuinfo(tmp_path, flags))
    monkeypatch.setattr(precision, "_gpu_has_bfloat16", lambda: False)
    precision.native_bfloat16.cache_clear()
    try:
        assert precision.native_bfloat16() is native
    finally:
        precision.native_bfloat16.cache_clear()


def test_policy_warns_only_for_bfloat16_without_native_support(monkeypatch):
    warnings = []
    monkeypatch.setattr(logging, "warning", lambda msg, *args: warnings.append(msg % args))
    monkeypatch.setattr(precision, "native_bfloat16", lambda: False)
    assert precision.policy(False) == "float32" and not warnings
    assert precision.policy(True) == "mixed_bfloat16"
    assert len(warnings) == 1 and "avx512_bf16 / amx_bf16" in warnings[0]
    monkeypatch.setattr(precision, "native_bfloat16", lambda: True)
    assert precision.policy(True) == "mixed_bfloat16" and len(warnings) == 1


def test_quickstart_asks_for_bfloat16_only_where_it_is_native(monkeypatch):
    for native in (False, True):
        monkeypatch.setattr(precision, "native_bfloat16", lambda native=native: native)
        assert quickstart.get_config().train.mixed_precision is native


def test_speed_flags_name_what_decides_training_speed_in_order(tmp_path):
    cpuinfo = _cpuinfo(tmp_path, "amx_bf16 avx512_bf16 avx512f fma avx2")
    assert precision.speed_flags(cpuinfo) == ["avx2", "avx512f", "avx512_bf16", "amx_bf16"]
    assert precision.speed_flags(_cpuinfo(tmp_path, "avx fma")) == []
