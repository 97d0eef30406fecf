from django import forms

from villages.models import Cadre


class CadreForm(forms.ModelForm):
    class Meta:
        model = Cadre
        fields = [
            "name",
            "gender",
            "birth_date",
            "education",
            "is_party_member",
            "office_phone",
            "private_phone",
            "photo",
        ]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"})}
