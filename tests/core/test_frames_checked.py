"""A frame google-genai would refuse fails the test that sent it, whatever sent it.

Every simulator from `start_sim` (the `sim` fixture included) runs
`assert_frames_valid` when the test ends; here it is called directly on a
simulator that heard a misspelt field.
"""

import json

import pytest
from livesim import SIM_KEY, assert_frames_valid
from websockets.asyncio.client import connect

PATH = "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"


async def test_a_misspelt_field_is_named_with_the_frame_it_came_in(start_sim) -> None:
    server = await start_sim(check_frames=False)  # checked below, by hand
    headers = {"x-goog-api-key": SIM_KEY}
    async with connect(server.base_url + PATH, additional_headers=headers) as ws:
        await ws.send(json.dumps({"setup": {"model": "models/gemini-3.1-flash-live-preview"}}))
        await ws.recv()  # setupComplete
        await ws.send(json.dumps({"realtimeInput": {"text": "fine"}}))
        await ws.send(json.dumps({"realtimeInput": {"txt": "misspelt"}}))
        await server.wait_for(lambda: len(server.received) == 3)
    with pytest.raises(pytest.fail.Exception) as failed:
        assert_frames_valid(server)
    assert "{realtimeInput: {txt: str}}" in str(failed.value)
    assert "{realtimeInput: {text: str}}" not in str(failed.value)
