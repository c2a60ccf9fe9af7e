import streamlit as st

st.title("playground")
st.write(st.session_state["settings"])
