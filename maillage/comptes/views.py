from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def espace(request):
    return render(request, "comptes/espace.html")
