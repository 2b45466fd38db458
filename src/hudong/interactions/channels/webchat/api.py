from ninja import Router

router = Router(tags=["Web chat"])
