"""The demo's scenes: each frame is what its transform says."""

from __future__ import annotations

import numpy as np
import pytest

from viz_app.inputs.digit import centre_of_mass
from viz_app.sources.scenes import SCENES, STYLES, get_scene


@pytest.fixture(scope="module")
def seven(mnist_test) -> np.ndarray:
    return mnist_test.images[0]  # the test set's first digit, a 7


def test_every_scene_leaves_the_digit_alone_at_its_neutral_value(seven):
    for scene in SCENES.values():
        if scene.name == "styles":
            continue
        assert scene.neutral in scene.values, scene.name
        out = scene.apply(seven, scene.neutral)
        assert out.shape == (28, 28) and out.dtype == np.uint8
        assert np.abs(out.astype(int) - seven).max() <= 1, scene.name


def test_a_quarter_turn_is_exactly_rot90(seven):
    rotation = get_scene("rotation")
    np.testing.assert_array_equal(rotation.apply(seven, 90), np.rot90(seven))
    np.testing.assert_array_equal(rotation.apply(seven, -90), np.rot90(seven, -1))
    turned = rotation.apply(seven, 30)
    assert not np.array_equal(turned, seven) and abs(int(turned.sum()) - int(seven.sum())) < 0.1 * seven.sum()


def test_translation_moves_the_ink_and_is_not_recentred(seven):
    x0, y0 = centre_of_mass(seven)
    for pixels in (-6, 4):
        x, y = centre_of_mass(get_scene("translation").apply(seven, pixels))
        assert x == pytest.approx(x0 + pixels, abs=0.3) and y == pytest.approx(y0, abs=0.3)


def test_scale_and_squeeze_change_the_ink_box_as_asked(seven):
    def box(image: np.ndarray) -> tuple[int, int]:
        rows, cols = np.flatnonzero((image > 64).any(1)), np.flatnonzero((image > 64).any(0))
        return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1

    h, w = box(seven)
    hs, ws = box(get_scene("scale").apply(seven, 0.5))
    assert hs == pytest.approx(h / 2, abs=2) and ws == pytest.approx(w / 2, abs=2)
    hq, wq = box(get_scene("squeeze").apply(seven, 0.5))
    assert hq == h and wq == pytest.approx(w / 2, abs=2)


def test_stroke_width_thickens_and_thins(seven):
    stroke = get_scene("stroke")
    ink = [int((stroke.apply(seven, v) > 64).sum()) for v in (-1, 0, 1, 2)]
    assert ink == sorted(ink) and ink[0] < ink[1] < ink[3]


def test_noise_grows_with_its_parameter_and_is_seeded(seven):
    salt = get_scene("salt_pepper")
    changed = [int((salt.apply(seven, d) != seven).sum()) for d in (0.0, 0.1, 0.3, 0.5)]
    assert changed[0] == 0 and changed == sorted(changed) and changed[-1] > 0.2 * seven.size  # half the hit pixels turn white
    np.testing.assert_array_equal(salt.apply(seven, 0.2, seed=3), salt.apply(seven, 0.2, seed=3))
    gaussian = get_scene("gaussian")
    spread = [float(np.abs(gaussian.apply(seven, s).astype(int) - seven).mean()) for s in (0, 40, 120)]
    assert spread[0] == 0 and spread[0] < spread[1] < spread[2]


def test_every_style_is_a_different_rendering_of_the_same_digit(seven):
    styles = get_scene("styles")
    renders = [styles.apply(seven, i) for i in range(len(STYLES))]
    np.testing.assert_array_equal(renders[0], seven)
    for (name, _), image in zip(STYLES[1:], renders[1:]):
        assert image.any() and not np.array_equal(image, seven), name


def test_a_scene_refuses_what_is_not_a_digit():
    with pytest.raises(ValueError, match="28x28 uint8"):
        get_scene("rotation").apply(np.zeros((32, 32), np.uint8), 10)
    with pytest.raises(ValueError, match="no scene 'spin'; scenes: translation"):
        get_scene("spin")
