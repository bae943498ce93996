from ninja import Router

router = Router(tags=["Diagnostic territorial"])
